"""Connection parameters shared by the tutorial scripts: the broker is $AMQP_URL."""
import os

import pika


def params():
    return pika.URLParameters(os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F"))
