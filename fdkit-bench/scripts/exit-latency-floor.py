#!/usr/bin/env python3
# The floor under ManyChildrenBenchmark's kill->onExit latency, without a JVM: starts N sleeping children
# (posix_spawn, stdio on /dev/null), watches each one's pidfd in one epoll, kills the first half one every
# millisecond through its pidfd and times each kill until its pidfd is readable and the child reaped; the second
# half is killed and reaped at the end. Prints p50/p90/p99/max in milliseconds.
# Usage: exit-latency-floor.py N   (python3 >= 3.9 on Linux >= 5.3; needs N + a few descriptors)
import os, sys, time, select, signal, resource
n=int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE,(20000,20000))
devnull=os.open('/dev/null',os.O_RDWR)
pids=[]; fds={}
for i in range(n):
    pid=os.posix_spawn('/bin/sleep',['sleep','1000'],os.environ,file_actions=[(os.POSIX_SPAWN_DUP2,devnull,0),(os.POSIX_SPAWN_DUP2,devnull,1),(os.POSIX_SPAWN_DUP2,devnull,2)])
    fd=os.pidfd_open(pid); pids.append(pid); fds[fd]=pid
time.sleep(1)
ep=select.epoll()
for fd in fds: ep.register(fd, select.EPOLLIN)
half=n//2; lat=[]
byfd={v:k for k,v in fds.items()}
killed={}
for i in range(half):
    pid=pids[i]; t=time.monotonic(); signal.pidfd_send_signal(byfd[pid], signal.SIGKILL); killed[byfd[pid]]=t
    # drain ready events without blocking, until next pace point
    deadline=t+0.001
    while True:
        now=time.monotonic(); to=deadline-now
        if to<=0: break
        for fd,ev in ep.poll(to):
            lat.append((time.monotonic()-killed[fd])*1000); ep.unregister(fd); os.waitid(os.P_PID, fds[fd], os.WEXITED)
while len(lat)<half:
    for fd,ev in ep.poll(1):
        lat.append((time.monotonic()-killed[fd])*1000); ep.unregister(fd); os.waitid(os.P_PID, fds[fd], os.WEXITED)
lat.sort()
q=lambda p: lat[min(len(lat)-1,int(p*len(lat)))]
print(f"n={n} kill->pidfd readable->reaped ms p50 {q(.5):.2f} p90 {q(.9):.2f} p99 {q(.99):.2f} max {lat[-1]:.2f}")
for pid in pids[half:]: os.kill(pid, signal.SIGKILL)
for pid in pids[half:]: os.waitpid(pid,0)
