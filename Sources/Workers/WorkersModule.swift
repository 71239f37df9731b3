enum WorkersModule {}
