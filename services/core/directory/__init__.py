"""The provider directory: the seed entries every organisation shares and its own."""
