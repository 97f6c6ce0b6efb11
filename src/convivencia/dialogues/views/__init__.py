"""The dialogues' pages: processes and boards, sessions, commitments."""
