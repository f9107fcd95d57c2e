#!/usr/bin/env python3
"""Tutorial 4 (routing): emit_log_direct.py SEVERITY MESSAGE..."""
import sys

import pika

from _params import params

connection = pika.BlockingConnection(params())
channel = connection.channel()

channel.exchange_declare(exchange='direct_logs', exchange_type='direct')

severity = sys.argv[1] if len(sys.argv) > 1 else 'info'
message = ' '.join(sys.argv[2:]) or 'Hello World!'
channel.basic_publish(exchange='direct_logs', routing_key=severity, body=message)
print(" [x] Sent %r:%r" % (severity, message))
connection.close()
