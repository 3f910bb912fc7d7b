#!/usr/bin/env bash
# Regenerates the README's tour (the block between <!-- tour:begin --> and <!-- tour:end -->) from a real run of
# images/lab/demo.sh (root; it builds, starts the lab, replays the seed's scenario and tears the lab down).
#   bash scripts/readme-tour.sh            run the demo and rewrite README.md
#   bash scripts/readme-tour.sh FILE       rewrite README.md from a saved demo.sh output
# Lines longer than 170 columns are cut with "..."; the build, the lab start and the teardown are left out.
# LabIT checks that the tour's commands still print output of the same shape (see docs/lab.md).
set -euo pipefail
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
out=${1:-}
if [ -z "$out" ]; then
  out=$(mktemp)
  trap 'rm -f "$out"' EXIT
  bash "$REPO/images/lab/demo.sh" >"$out" 2>&1
fi
python3 - "$out" "$REPO/README.md" <<'PY'
import re, sys
raw = open(sys.argv[1], encoding='utf-8', errors='replace').read()
text = re.sub(r'\x1b\[[0-9;]*m', '', raw).split('\n')
start = next(i for i, l in enumerate(text) if l.startswith('== 1. '))
end = next(i for i in range(start, len(text)) if text[i].startswith('== Tearing'))
lines = text[start:end]
while lines and not lines[-1].strip():
    lines.pop()
lines = [l if len(l) <= 170 else l[:167] + '...' for l in lines]
readme = open(sys.argv[2], encoding='utf-8').read()
b, e = '<!-- tour:begin -->\n', '<!-- tour:end -->'
i, j = readme.index(b) + len(b), readme.index(e)
readme = readme[:i] + '```\n' + '\n'.join(lines) + '\n```\n' + readme[j:]
open(sys.argv[2], 'w', encoding='utf-8').write(readme)
print('README.md: tour rewritten, %d lines' % len(lines))
PY
