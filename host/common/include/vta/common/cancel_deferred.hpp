#pragma once
// libmosquitto stops its network thread with pthread_cancel when it is not connected (mosquitto_loop_stop with
// force: it may sleep out the reconnect delay or block in connect()). Our callbacks run on that thread: a cancel
// landing in one would unwind it halfway (a log line half written, a lock of ours held). Each callback defers
// cancellation for its scope; the thread is cancelled at libmosquitto's next cancellation point instead.

#include <pthread.h>

namespace vta {

class CancelDeferred {
public:
    CancelDeferred() { pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &previous_); }
    ~CancelDeferred() { pthread_setcancelstate(previous_, nullptr); }
    CancelDeferred(const CancelDeferred&) = delete;
    CancelDeferred& operator=(const CancelDeferred&) = delete;

private:
    int previous_ = PTHREAD_CANCEL_ENABLE;
};

}  // namespace vta
