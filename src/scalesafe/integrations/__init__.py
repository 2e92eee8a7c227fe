"""Framework integrations; each imports its framework lazily and names its extra when missing."""
