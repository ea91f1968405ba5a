"""Editing the plan: `pmkit init`, `new`, `add`, `set progress`, `done`.

Every edit goes through `run.finish`: validate the program as it would be,
refuse an edit that adds an error, write atomically (`write`)."""
