// A minimal coroutine task for pingwire-conform's runner: the run is written as straight-line
// code (send, listen, judge, next) and suspends where it waits; the control lcore's tick
// resumes it when the wait is over. A Task is lazy (starts when awaited or resumed), can be
// awaited by another Task (symmetric transfer back to the awaiter when it ends) and owns its
// frame. Control path only: it allocates, and an exception inside a task ends the program.
#pragma once

#include <coroutine>
#include <exception>
#include <utility>

namespace pw::conform_app {

class Task {
public:
    struct promise_type {
        std::coroutine_handle<> continuation = std::noop_coroutine();
        Task get_return_object() noexcept {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        struct Final {
            bool await_ready() noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
                return h.promise().continuation;
            }
            void await_resume() noexcept {}
        };
        Final final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };

    Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    Task& operator=(Task&&) = delete;
    ~Task() {
        if (h_) h_.destroy();
    }

    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
        h_.promise().continuation = awaiter;
        return h_;
    }
    void await_resume() const noexcept {}

    // For the top-level task: start or resume it; done() once it returned.
    void resume() const { h_.resume(); }
    bool done() const noexcept { return !h_ || h_.done(); }

private:
    explicit Task(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
    std::coroutine_handle<promise_type> h_;
};

}  // namespace pw::conform_app
