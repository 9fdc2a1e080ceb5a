"""The platform under a crowd: Locust traders and WebSocket listeners (locustfile), the
stepped run that finds the capacity (steps), the chaos run (chaos) and the soak (soak).
What the crowd does and why is docs/load.md."""
