"""Copy trading's pure model: who may lead, who may copy, what each leader fill becomes in
a copy, the copy stop-loss and the profit share on the high-water mark (no I/O)."""
