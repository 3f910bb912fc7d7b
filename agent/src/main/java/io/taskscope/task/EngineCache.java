package io.taskscope.task;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The engine's answers, kept while their containers live: the engine is asked only about a container ID it has
 * not answered for yet (a new container), so a regrouping after a fork or an exit costs no request. An ID the
 * engine does not know (another engine's container) is remembered as such. After a failure (engine down, its
 * 1 s deadline passed) nothing is asked for {@link #RETRY_NANOS}: the new IDs keep their short IDs until then,
 * the ones already named keep their names. IDs no longer present are forgotten, which bounds the cache by the
 * number of containers. A container renamed while it runs keeps its first name.
 */
public final class EngineCache implements EngineNames {
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final EngineNames engine;
    private final LongSupplier clock;
    private final Map<String, Optional<EngineContainer>> answers = new HashMap<>();
    private long retryAt;
    private boolean failing;

    public EngineCache(EngineNames engine) {
        this(engine, System::nanoTime);
    }

    EngineCache(EngineNames engine, LongSupplier clock) {
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    public synchronized Map<String, EngineContainer> names(Collection<String> ids, List<String> warnings) {
        answers.keySet().retainAll(Set.copyOf(ids));
        Set<String> unknown = new LinkedHashSet<>(ids);
        unknown.removeAll(answers.keySet());
        long now = clock.getAsLong();
        if (!unknown.isEmpty() && (!failing || now - retryAt >= 0)) {
            List<String> failures = new ArrayList<>();
            Map<String, EngineContainer> got = engine.names(unknown, failures);
            failing = !failures.isEmpty();
            if (failing) {
                warnings.addAll(failures);
                retryAt = now + RETRY_NANOS;
                got.forEach((id, c) -> answers.put(id, Optional.of(c)));
            } else {
                for (String id : unknown) answers.put(id, Optional.ofNullable(got.get(id)));
            }
        }
        Map<String, EngineContainer> out = new HashMap<>();
        for (String id : ids) {
            Optional<EngineContainer> c = answers.getOrDefault(id, Optional.empty());
            c.ifPresent(x -> out.put(id, x));
        }
        return out;
    }
}
