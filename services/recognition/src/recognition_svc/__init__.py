"""FaceClock recognition service: face encodings, a FAISS index, 1:N identification over gRPC."""
