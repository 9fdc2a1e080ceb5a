"""The shared kernel: money, time, ids, messages and the message bus."""
