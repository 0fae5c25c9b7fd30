"""Liveness: the process answers. (Readiness checks come with the quick-lookup API.)"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Alive(BaseModel):
    status: str = "ok"


@router.get("/healthz", response_model=Alive, summary="The process is alive")
async def healthz() -> Alive:
    return Alive()
