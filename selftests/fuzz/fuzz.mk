# fuzzing: filled in by its owner
