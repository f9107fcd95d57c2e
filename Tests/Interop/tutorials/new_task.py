#!/usr/bin/env python3
"""Tutorial 2 (work queues): the producer of tasks; each dot in a task is a second of work."""
import sys

import pika

from _params import params

connection = pika.BlockingConnection(params())
channel = connection.channel()

channel.queue_declare(queue='task_queue', durable=True)

message = ' '.join(sys.argv[1:]) or "Hello World!"
channel.basic_publish(
    exchange='',
    routing_key='task_queue',
    body=message,
    properties=pika.BasicProperties(
        delivery_mode=pika.spec.PERSISTENT_DELIVERY_MODE
    ))
print(" [x] Sent %r" % message)
connection.close()
