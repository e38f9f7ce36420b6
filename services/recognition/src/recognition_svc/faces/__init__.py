"""The gallery: encrypted face samples and the change log replicas follow."""
