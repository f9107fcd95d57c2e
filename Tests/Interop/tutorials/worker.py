#!/usr/bin/env python3
"""Tutorial 2 (work queues): a worker; a task takes one second per dot, then is acked."""
import time

import pika

from _params import params

connection = pika.BlockingConnection(params())
channel = connection.channel()

channel.queue_declare(queue='task_queue', durable=True)
print(' [*] Waiting for messages. To exit press CTRL+C')


def callback(ch, method, properties, body):
    # (The tutorial prints only the body; the test also needs the redelivered flag.)
    print(" [x] Received %r redelivered=%s" % (body.decode(), method.redelivered))
    time.sleep(body.count(b'.'))
    print(" [x] Done %r" % body.decode())
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel.basic_qos(prefetch_count=1)
channel.basic_consume(queue='task_queue', on_message_callback=callback)

channel.start_consuming()
