#!/usr/bin/env python3
"""The peer side of `antre-bench compare`: one ticket rendered with python-escpos 3.1.

Reads the ticket as antre-bench describes it (JSON on stdin: paper widths, runs and
Antre's receipt blocks) and renders the same content the way a python-escpos program
would: `set()` the style before a styled block, set it back after, wrap to the
paper's columns with textwrap, pad the date line with spaces, rules as lines of '-'.
Prints JSON: for each paper width the bytes of one ticket and the median time of
one render (microseconds), measured the same way as Antre's (`runs` renders).
"""

import json
import sys
import textwrap
import time

from escpos.printer import Dummy


def wrap(text, width, indent=0):
    indent = min(max(0, indent), width - 1)
    lines = textwrap.wrap(text, width, subsequent_indent=" " * indent,
                          break_on_hyphens=False, break_long_words=True)
    return lines or [""]


def render(blocks, columns):
    p = Dummy()
    p.hw("INIT")
    for block in blocks:
        kind = block["kind"]
        if kind == "text":
            align, bold = block["align"], block["bold"]
            big = block["width"] > 1 or block["height"] > 1
            styled = align != "left" or bold or big
            if styled:
                p.set(align=align, bold=bold, double_width=block["width"] > 1,
                      double_height=block["height"] > 1)
            for line in wrap(block["text"], columns // block["width"], block["indent"]):
                p.textln(line)
            if styled:
                p.set(align="left" if align != "left" else None, bold=False if bold else None,
                      normal_textsize=True if big else None)
        elif kind == "columns":
            left, right = block["left"].strip(), block["right"].strip()
            if len(left) + 1 + len(right) <= columns:
                p.textln(left + " " * (columns - len(left) - len(right)) + right)
            else:
                for line in wrap(left, columns):
                    p.textln(line)
                for line in wrap(right, columns):
                    p.textln(line.rjust(columns))
        elif kind == "rule":
            p.textln(block["char"] * columns)
        elif kind == "feed":
            p.ln(block["lines"])
        elif kind == "qr":
            p.set(align="center")
            p.qr(block["data"], size=6, native=True)
            p.set(align="left")
    p.print_and_feed(4)
    p.cut(mode="PART", feed=False)
    return p.output


def main():
    request = json.load(sys.stdin)
    blocks, runs = request["blocks"], max(1, request["runs"])
    result = {"version": __import__("escpos").__version__, "papers": []}
    for paper in request["papers"]:
        columns = paper["columns"]
        render(blocks, columns)  # warm-up
        samples = []
        size = 0
        for _ in range(runs):
            start = time.perf_counter_ns()
            size = len(render(blocks, columns))
            samples.append(time.perf_counter_ns() - start)
        samples.sort()
        result["papers"].append({"paper": paper["paper"], "bytes": size,
                                 "median_us": samples[len(samples) // 2] / 1000})
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
