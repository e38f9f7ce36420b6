"""/api/v1/auth: registration, login, tokens, the caller's own account, password reset."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response, status

from auth_svc.accounts import service
from auth_svc.accounts.models import User
from auth_svc.accounts.schemas import (
    Accepted,
    ForgotRequest,
    KeyRotation,
    LoginRequest,
    LogoutRequest,
    MeUpdate,
    PasswordChange,
    RefreshRequest,
    RegisterCreate,
    ResetRequest,
    TokenPair,
    UserRead,
)
from auth_svc.db import utcnow
from auth_svc.deps import ClientAddress, CurrentPrincipal, RuntimeDep, SessionDep
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import (
    authenticated,
    bearer_token,
    current_principal,
    public,
    require_roles,
)

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


REGISTER_ANSWER = ("Thank you. If the user name was free your account is ready and you can "
                   "sign in; either way an e-mail with the outcome is on its way.")


@router.post("/register", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             dependencies=[Depends(public)])
def register(body: RegisterCreate, session: SessionDep, runtime: RuntimeDep,
             address: ClientAddress, background: BackgroundTasks) -> Accepted:
    """The same answer whether or not the user name was taken (SECURITY.md: registration does
    not tell who has an account); the outcome goes by e-mail to the address given. An admin's
    POST /users still answers 409 for a taken name: admins may know the names."""
    recipient = service.register(session, runtime=runtime, data=body, address=address)
    background.add_task(service.notify_registration, runtime, recipient)
    return Accepted(message=REGISTER_ANSWER)


@router.post("/login", response_model=TokenPair, dependencies=[Depends(public)])
def login(body: LoginRequest, session: SessionDep, runtime: RuntimeDep,
          address: ClientAddress) -> TokenPair:
    return service.login(session, runtime=runtime, username=body.username,
                         password=body.password, address=address)


@router.post("/refresh", response_model=TokenPair, dependencies=[Depends(public)])
def refresh(body: RefreshRequest, session: SessionDep, runtime: RuntimeDep) -> TokenPair:
    return service.refresh(session, runtime=runtime, token=body.refresh_token)


@router.post("/logout", status_code=204, dependencies=[Depends(public)])
def logout(request: Request, session: SessionDep, body: LogoutRequest | None = None) -> Response:
    """With a refresh token: end that session. Without one: end every session of the caller.

    Public because the refresh token is itself the credential: an expired access token sent
    along must not stop anyone from logging out. Without a refresh token the bearer decides.
    """
    if body is not None and body.refresh_token:
        service.logout_refresh_token(session, token=body.refresh_token)
        return Response(status_code=204)
    if bearer_token(request) is None:
        raise ApiError(401, "unauthorized", "Send the refresh token or a bearer access token.")
    principal = current_principal(request)
    if principal.user_id is not None:
        service.logout_everywhere(session, user_id=principal.user_id)
    return Response(status_code=204)


@router.get("/me", response_model=UserRead, dependencies=[Depends(authenticated)])
def me(session: SessionDep, principal: CurrentPrincipal) -> User:
    return service.own_user(session, principal)


@router.patch("/me", response_model=UserRead, dependencies=[Depends(authenticated)])
def update_me(body: MeUpdate, session: SessionDep, principal: CurrentPrincipal) -> User:
    user = service.own_user(session, principal)
    if body.language is not None:
        user.language = body.language
    return user


@router.post("/password/change", status_code=204, dependencies=[Depends(authenticated)])
def change_password(body: PasswordChange, session: SessionDep, runtime: RuntimeDep,
                    principal: CurrentPrincipal, address: ClientAddress,
                    background: BackgroundTasks) -> Response:
    user = service.own_user(session, principal)
    recipient = service.change_password(
        session, runtime=runtime, user_id=user.id, current_password=body.current_password,
        new_password=body.new_password, address=address)
    background.add_task(service.notify_password_changed, runtime, recipient, utcnow())
    return Response(status_code=204)


FORGOT_ANSWER = "If an account uses this address, a reset link is on its way."


@router.post("/password/forgot", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             dependencies=[Depends(public)])
def forgot_password(body: ForgotRequest, runtime: RuntimeDep, address: ClientAddress,
                    background: BackgroundTasks) -> Accepted:
    # Counted per address like a failure, so nobody can mail-bomb or scan addresses at speed.
    wait = runtime.throttle.retry_after(account=None, address=address, bucket="forgot")
    if wait:
        raise service.too_many_attempts(wait)
    runtime.throttle.failure(account=None, address=address, action="password_forgot",
                             bucket="forgot")
    background.add_task(service.send_reset_links, runtime=runtime, email=str(body.email))
    return Accepted(message=FORGOT_ANSWER)


@router.post("/password/reset", status_code=204, dependencies=[Depends(public)])
def reset_password(body: ResetRequest, session: SessionDep, runtime: RuntimeDep,
                   background: BackgroundTasks) -> Response:
    recipient = service.reset_password(session, runtime=runtime, token=body.token,
                                       new_password=body.new_password)
    background.add_task(service.notify_password_changed, runtime, recipient, utcnow())
    return Response(status_code=204)


@router.get("/jwks.json", dependencies=[Depends(public)])
def jwks(runtime: RuntimeDep, response: Response) -> dict[str, object]:
    # Short cache: verifiers refetch on an unknown kid anyway, and a rotation must show soon.
    response.headers["Cache-Control"] = "public, max-age=60"
    return runtime.keyring.jwks()


@router.post("/keys/rotate", response_model=KeyRotation,
             dependencies=[Depends(require_roles("admin"))])
def rotate_keys(runtime: RuntimeDep) -> KeyRotation:
    key = runtime.keyring.rotate()
    return KeyRotation(kid=key.kid, published=[k.kid for k in runtime.keyring.published()])
