"""Figure scripts: compute a figure's data through a game front end (or read a finished sweep) and draw it with
:mod:`ftgames.plots`.  They sit at the top of the layers, beside the command line."""
