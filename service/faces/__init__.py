"""The faces: one package per kind of user, each turning core results into HTTP.

Faces never import each other; what two faces share lives in the core or in ``service.web``.
"""
