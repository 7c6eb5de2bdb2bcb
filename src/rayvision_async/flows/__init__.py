"""Work that takes several calls, over typed callables: paging, bulk poll/watch/wait, frame numbers."""
