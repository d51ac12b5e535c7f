"""What a tree says, paired with what the spec expects: the comparisons check and update share.

Inputs: the located facts a reader found (:mod:`migspec.source`) and what
the spec implies for the same region (:mod:`migspec.expect`, or a rendering
of it read back).  Outputs: pairings and differences, each located in the
tree.  ``check`` reports them and ``update`` mends them: one comparison per
region, so that what check calls a difference is exactly what update edits.
One module per thing aligned:

- :mod:`~migspec.align.flows`: a flow drawing's steps and the expected steps;
- :mod:`~migspec.align.fsm_comment`: the uAPI state-machine comment and the
  rendered one (:mod:`~migspec.align.rendered_comment` is that rendering,
  read back);
- :mod:`~migspec.align.kernel_walk`: the kernel lookup's skip loop and the
  spec's walk;
- :mod:`~migspec.align.kernel_arcs`: the lists of the kernel's arcs comment
  and the expected lists.

Nothing here reads a file or writes one, and nothing here judges severity:
that is the rule a check attaches.
"""
