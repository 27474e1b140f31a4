"""A producer and a consumer on a queue.Queue: the consumer is faster, so
it waits on the empty queue before every item.

    python3 queue_pc.py [ITEMS]

The producer puts ITEMS items 20 ms apart; the consumer gets them (a get
that finds the queue empty is counted as a wait: the producer is asleep
for milliseconds, so every such get blocks) and stops at None."""
import queue
import sys
import threading
import time

import stats


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    q = queue.Queue()
    got, empty_gets, who = [], [], {}

    def producer():
        who["producer"] = threading.get_native_id()
        for i in range(n):
            time.sleep(0.02)
            q.put(i)
        time.sleep(0.02)
        q.put(None)

    def consumer():
        who["consumer"] = threading.get_native_id()
        while True:
            if q.empty():
                empty_gets.append(1)
            item = q.get()
            if item is None:
                break
            got.append(item)

    threads = [threading.Thread(target=producer), threading.Thread(target=consumer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats.report(main=stats.me(), producer=who["producer"], consumer=who["consumer"],
                 items=len(got), empty_gets=len(empty_gets))


if __name__ == "__main__":
    main()
