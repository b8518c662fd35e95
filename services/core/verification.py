"""Former name of ``services.core.chain_check`` (the hash-chain check), kept only for the API
modules that still import it from here; to be deleted when they import ``chain_check``."""

from services.core.chain_check import ChainBreak as ChainBreak
from services.core.chain_check import verify_chain as verify_chain
