// One read of a FileSet at a time: a read holds the gate for its whole length, because it uses the set's
// kept descriptors, key table and buffer. A read run on the JS thread only tries the gate (waiting there
// would block the event loop); one on the pool waits for it.
#pragma once

#include <pthread.h>

// std::mutex::try_lock would need glibc 2.34's pthread_mutex_trylock, and std::condition_variable::wait
// libstdc++ 3.4.30, in the prebuilt binary (see glibc_compat.h): the plain pthread calls need neither.
class ReadGate {
 public:
  ReadGate();
  ~ReadGate();
  ReadGate(const ReadGate&) = delete;
  ReadGate& operator=(const ReadGate&) = delete;

  void Enter();
  // Enters only if no read is running.
  bool TryEnter();
  void Leave();

 private:
  pthread_mutex_t mutex_;
  pthread_cond_t free_;
  bool busy_ = false;
};

// Leaves an entered gate at the end of a scope (a read that throws must not leave the set locked).
class ReadGateHold {
 public:
  explicit ReadGateHold(ReadGate& gate) : gate_(gate) {}
  ~ReadGateHold() { gate_.Leave(); }
  ReadGateHold(const ReadGateHold&) = delete;
  ReadGateHold& operator=(const ReadGateHold&) = delete;

 private:
  ReadGate& gate_;
};
