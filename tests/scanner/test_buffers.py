"""The engine's disk-backed buffers: nothing lost, order kept, memory bounded."""

from linkdoctor.scanner.buffers import FolderStack, Spill


def test_folder_stack_pops_depth_first_across_the_spill():
    stack = FolderStack(in_memory=4)
    stack.push([f"/f{i}" for i in range(10)])
    assert len(stack.memory) <= 4 and len(stack) == 10
    popped = []
    while len(stack):
        popped.extend(stack.pop_batch(3))
    stack.close()
    assert sorted(popped) == sorted(f"/f{i}" for i in range(10))
    assert popped[:2] == ["/f8", "/f9"]  # the newest first, from memory; then the spilled ones


def test_folder_stack_interleaves_pushes_and_pops():
    stack = FolderStack(in_memory=3)
    stack.push(["/a", "/b", "/c", "/d"])
    first = stack.pop_batch(1)
    stack.push(["/e", "/f", "/g"])
    rest = []
    while len(stack):
        rest.extend(stack.pop_batch(2))
    stack.close()
    assert sorted(first + rest) == ["/a", "/b", "/c", "/d", "/e", "/f", "/g"]


def test_spill_gives_back_every_record_in_order():
    spill = Spill()
    records = [(f"/lib/{i}.mkv", f"/src/{i}.mkv", (1, i, 4096, i * 10)) for i in range(1000)]
    for record in records:
        spill.add(record)
    assert spill.count == 1000
    assert list(spill) == records
    assert list(spill) == records  # can be read again
    spill.close()
