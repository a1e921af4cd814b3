"""Routes of the demo: its webhook receiver (demo.webhook_receiver)."""

from django.urls import path

from demo import webhook_receiver

urlpatterns = [path("webhook-receiver/", webhook_receiver.receive, name="demo-webhook-receiver")]
