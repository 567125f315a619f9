"""An idempotent librdkafka producer (enable.idempotence=true) that produces
in phases and stays alive in between, so that the test can restart the
broker under it: after each phase it prints one JSON line and, unless it was
the last phase, waits for a line on stdin before going on.

usage: idem_producer.py BOOTSTRAP TOPIC COUNT_PER_PHASE PHASES
Record i of phase n: key "k{i % 16}", value "n-i". Every error librdkafka
reports (error_cb) is listed with its name and whether it was fatal.
"""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
count, phases = int(sys.argv[3]), int(sys.argv[4])
errors = []
result = {"acked": 0, "failed": []}


def on_error(err):
    errors.append({"name": err.name(), "fatal": err.fatal(), "text": err.str()})


def on_delivery(err, msg):
    if err is not None:
        result["failed"].append(err.name())
    else:
        result["acked"] += 1


producer = Producer({
    "bootstrap.servers": bootstrap,
    "enable.idempotence": True,
    "linger.ms": 5,
    "message.timeout.ms": 60000,
    "reconnect.backoff.max.ms": 500,
    "error_cb": on_error,
})
for phase in range(phases):
    result = {"acked": 0, "failed": []}
    for i in range(count):
        while True:
            try:
                producer.produce(topic, key=f"k{i % 16}".encode(), value=f"{phase}-{i}".encode(), on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(60)
    print(json.dumps({"phase": phase, "acked": result["acked"], "failed": result["failed"], "unflushed": left,
                      "errors": errors}), flush=True)
    if phase < phases - 1:
        sys.stdin.readline()
