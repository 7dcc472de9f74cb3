"""The generation pipeline: regenerate, vendor and update the document (hand-written, never shipped)."""
