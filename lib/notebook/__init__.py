"""The book's pages as notebooks in JupyterLab (``make lab``): the book's markup rendered, the page never rewritten.

pages
    A page in the form jupytext saves it; the in-memory notebook a reader sees (macros, glued numbers) and back.
glue
    Glued values recorded in a reader's kernel and shown by the notebook's inline expressions.
server
    The contents manager ``make lab`` runs (imports jupyter_server; never imported by pages).
"""
from .glue import capture_glue, glued

__all__ = ["capture_glue", "glued"]
