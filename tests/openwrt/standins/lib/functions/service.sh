# service.sh stand-in: rc.common sources it; the procd-managed scripts under
# test use none of its start-stop-daemon helpers.
:
