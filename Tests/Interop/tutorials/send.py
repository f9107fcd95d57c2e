#!/usr/bin/env python3
"""Tutorial 1 (hello world): the producer."""
import pika

from _params import params

connection = pika.BlockingConnection(params())
channel = connection.channel()

channel.queue_declare(queue='hello')

channel.basic_publish(exchange='', routing_key='hello', body='Hello World!')
print(" [x] Sent 'Hello World!'")
connection.close()
