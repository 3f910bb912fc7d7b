<?php
// taskscope demo task, container "app": prints $_SERVER.
//
// DEMO ONLY. This page exposes the container's whole environment (php-fpm runs with clear_env = no, as the
// php:fpm-alpine image configures it), including any secret passed as an environment variable. Never deploy
// it anywhere reachable by others; stop the demo task after use.
header('Content-Type: text/plain; charset=utf-8');
print_r($_SERVER);
