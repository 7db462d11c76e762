# daemon integration tests: filled in by its owner
