#include "read_gate.h"

ReadGate::ReadGate() {
  pthread_mutex_init(&mutex_, nullptr);
  pthread_cond_init(&free_, nullptr);
}

ReadGate::~ReadGate() {
  pthread_cond_destroy(&free_);
  pthread_mutex_destroy(&mutex_);
}

void ReadGate::Enter() {
  pthread_mutex_lock(&mutex_);
  while (busy_) pthread_cond_wait(&free_, &mutex_);
  busy_ = true;
  pthread_mutex_unlock(&mutex_);
}

bool ReadGate::TryEnter() {
  pthread_mutex_lock(&mutex_);
  const bool entered = !busy_;
  busy_ = true;
  pthread_mutex_unlock(&mutex_);
  return entered;
}

void ReadGate::Leave() {
  pthread_mutex_lock(&mutex_);
  busy_ = false;
  pthread_cond_signal(&free_);
  pthread_mutex_unlock(&mutex_);
}
