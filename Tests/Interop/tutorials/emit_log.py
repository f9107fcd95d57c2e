#!/usr/bin/env python3
"""Tutorial 3 (publish/subscribe): publish one log line to the `logs` fanout exchange."""
import sys

import pika

from _params import params

connection = pika.BlockingConnection(params())
channel = connection.channel()

channel.exchange_declare(exchange='logs', exchange_type='fanout')

message = ' '.join(sys.argv[1:]) or "info: Hello World!"
channel.basic_publish(exchange='logs', routing_key='', body=message)
print(" [x] Sent %r" % message)
connection.close()
