"""Every change to the duty pool, the rotas and the teams' weeks: one module per part of the work."""
