#!/usr/bin/env python3
"""Tutorial 6 (RPC): rpc_client.py [--direct-reply-to] N... asks the server for fib(N) of each N."""
import sys
import uuid

import pika

from _params import params

DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to'


class FibonacciRpcClient(object):

    def __init__(self, direct_reply_to=False):
        self.connection = pika.BlockingConnection(params())

        self.channel = self.connection.channel()

        if direct_reply_to:
            # RabbitMQ's direct reply-to: consume (no-ack) from the pseudo-queue, no queue declared.
            self.callback_queue = DIRECT_REPLY_TO
        else:
            result = self.channel.queue_declare(queue='', exclusive=True)
            self.callback_queue = result.method.queue

        self.channel.basic_consume(
            queue=self.callback_queue,
            on_message_callback=self.on_response,
            auto_ack=True)

        self.response = None
        self.corr_id = None

    def on_response(self, ch, method, props, body):
        if self.corr_id == props.correlation_id:
            self.response = body

    def call(self, n):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange='',
            routing_key='rpc_queue',
            properties=pika.BasicProperties(
                reply_to=self.callback_queue,
                correlation_id=self.corr_id,
            ),
            body=str(n))
        while self.response is None:
            self.connection.process_data_events(time_limit=None)
        return int(self.response)


args = sys.argv[1:]
direct = '--direct-reply-to' in args
numbers = [int(a) for a in args if a != '--direct-reply-to'] or [30]

fibonacci_rpc = FibonacciRpcClient(direct_reply_to=direct)
print(" [*] callback queue %s" % fibonacci_rpc.callback_queue)
for n in numbers:
    print(" [x] Requesting fib(%d)" % n)
    response = fibonacci_rpc.call(n)
    print(" [.] Got %r" % response)
fibonacci_rpc.connection.close()
