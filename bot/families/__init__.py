"""The families who text the line: who they are, their language, STOP and START, and
handing them to a person."""
