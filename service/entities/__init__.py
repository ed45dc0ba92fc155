"""What organisations and people share beyond reading them: merging one into another."""
