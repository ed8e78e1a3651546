"""Safety-regulation game: exact enumeration (batched numpy), KKT reformulations (SCIP global, Ipopt local),
classification against the unregulated game and bargaining over δ under regulation."""
