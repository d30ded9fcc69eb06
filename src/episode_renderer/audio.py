"""The one sample rate of a render: every line is resampled to it, every sound loaded at it, and the
mix, the master and the MP3 are made at it."""

SAMPLE_RATE = 44100
