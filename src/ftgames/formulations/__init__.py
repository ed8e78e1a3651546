"""Formulations: how one stage of a game becomes an explicit program (closed form, KKT, enumeration, bargaining)."""
