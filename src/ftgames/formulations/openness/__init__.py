"""The openness-regulation game as explicit programs: D's fine-tuning response, G's regime programs (enumeration and
KKT), the regime comparison, bargaining over δ and the effects of regulation."""
