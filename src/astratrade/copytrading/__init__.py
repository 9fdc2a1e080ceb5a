"""Copy trading: leaders, copies, proportional sizing, the copy stop-loss, profit share."""
