enum ProducerModule {}
