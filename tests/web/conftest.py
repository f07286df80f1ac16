"""The pages' tests reuse the claims API driver to bring a claim to the step a page test starts from."""

from tests.api.claims.conftest import api
from tests.api.funds.conftest import funds

__all__ = ["api", "funds"]
