"""Formats code-point ranges as a Swift `[ClosedRange<UInt32>]` literal, six ranges a line:
shared by the generators of the tokenizer and display-width tables."""


def swift_range_rows(ranges, indent="        "):
    """Lines `0xA...0xB, …,` for `ranges` (pairs of first and last code point)."""
    lines, row = [], []
    for lo, hi in ranges:
        row.append(f"0x{lo:X}...0x{hi:X}")
        if len(row) == 6:
            lines.append(indent + ", ".join(row) + ",")
            row = []
    if row:
        lines.append(indent + ", ".join(row) + ",")
    return lines
