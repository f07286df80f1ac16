"""The pages' tests reuse the claims API driver to bring a claim to the step a page test starts from."""

from tests.api.claims.conftest import api

__all__ = ["api"]
