"""AstraTrade: a gamified perpetual-futures trading platform."""
